# The reference's "chaos" pipelines of the underwater sets (UIEB, LSUI):
# input and reference are each resized
# (bicubic) to 512 x 512 for training, with one of the 8 dihedral transforms,
# and to 256 x 256 for validation and test; no crop. Scores are therefore at
# 256 x 256, as the reference reports them.
# Set-specific bases (uieb.py, lsui.py) set roots and folders.
_base_ = ['./paired_lowlight.py', '../evaluators/underwater.py']

train_size = 512
test_size = 256

train_pipeline = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='LoadImageStrict', key='gt', channel_order='rgb'),
    dict(type='ChaosResize', keys=['img', 'gt'],
         size=(train_size, train_size)),
    dict(type='RandomDihedral', keys=['img', 'gt']),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='LoadImageStrict', key='gt', channel_order='rgb'),
    dict(type='ChaosResize', keys=['img', 'gt'], size=(test_size, test_size)),
    dict(type='PackInputs'),
]

train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# training-time validation stays cheap (as lol_v1.py); test_evaluator is the
# paired + underwater set of ../evaluators/underwater.py
val_evaluator = [dict(type='PSNR'), dict(type='SSIM')]

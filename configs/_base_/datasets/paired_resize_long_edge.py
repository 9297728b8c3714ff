# Pipelines of RestoRect's large-image paired sets (BAID, SICE, SID; as
# the reference loads them): both images are resized so the long
# edge is <= 2048 and each side a multiple of 32 (bicubic; images that comply
# stay untouched), then training takes one 512-px crop (reflect-padded first
# where a side is shorter, as lol_v1.py) and one of the 8 dihedral
# transforms. Validation / test keep the resized full image.
# Set-specific bases (baid.py, sice.py, sid_sony.py) set roots and folders.
_base_ = ['./paired_lowlight.py', '../evaluators/paired.py']

crop_size = 512
max_long_edge = 2048
size_multiple = 32

train_pipeline = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='LoadImageStrict', key='gt', channel_order='rgb',
         same_size_as='img'),
    dict(type='ResizeLongEdgeMultiple', keys=['img', 'gt'],
         max_long_edge=max_long_edge, multiple=size_multiple),
    dict(type='PairedRandomCropPad', keys=['img', 'gt'], crop_size=crop_size,
         pad_mode='symmetric'),
    dict(type='RandomDihedral', keys=['img', 'gt']),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='LoadImageStrict', key='gt', channel_order='rgb',
         same_size_as='img'),
    dict(type='ResizeLongEdgeMultiple', keys=['img', 'gt'],
         max_long_edge=max_long_edge, multiple=size_multiple),
    dict(type='PackInputs'),
]

train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# training-time validation stays cheap (as lol_v1.py); test_evaluator is the
# full paired set of ../evaluators/paired.py
val_evaluator = [dict(type='PSNR'), dict(type='SSIM')]

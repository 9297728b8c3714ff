# LOL-v1 (Wei et al. 2018): 485 training and 15 test pairs of 600 x 400.
#   data/LOL-v1/our485/{low,high}/*.png, data/LOL-v1/eval15/{low,high}/*.png
# Training loads 512-px crops (the progressive patch hook of stage 1 takes
# smaller sub-crops from them). 400 px is shorter than 512: the reference
# reflect-pads to >= 512 before cropping; MMagic's PairedRandomCrop cannot
# pad, so NumpyPad adds the 112 missing rows (reflect, bottom) for LOL's fixed
# 600 x 400 size. Images of another size need another padding (a padding crop
# transform is planned).
_base_ = './paired_lowlight.py'

data_root = 'data/LOL-v1'
crop_size = 512

train_pipeline = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='LoadImageStrict', key='gt', channel_order='rgb'),
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='NumpyPad', keys=['img', 'gt'],
         padding=((0, 112), (0, 0), (0, 0)), mode='reflect'),
    dict(type='PairedRandomCrop', gt_patch_size=crop_size),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=8,
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='our485/low', gt='our485/high'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='eval15/low', gt='eval15/high')))
test_dataloader = val_dataloader

# standard protocol: full resolution, RGB, no crop, no GT statistics
val_evaluator = [dict(type='PSNR'), dict(type='SSIM')]
test_evaluator = val_evaluator

# LOL-v1 (Wei et al. 2018): 485 training and 15 test pairs of 600 x 400.
#   data/LOL-v1/our485/{low,high}/*.png, data/LOL-v1/eval15/{low,high}/*.png
# Training loads 512-px crops (the progressive patch hook takes smaller
# sub-crops from them). 400 px is shorter than 512: as the reference, both
# images are padded to >= 512 by reflection (OpenCV's BORDER_REFLECT, i.e.
# numpy's 'symmetric') before the crop; one of the 8 dihedral transforms is
# then applied identically to both.
_base_ = ['./paired_lowlight.py', '../evaluators/paired.py']

data_root = 'data/LOL-v1'
crop_size = 512

train_pipeline = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='LoadImageStrict', key='gt', channel_order='rgb',
         same_size_as='img'),
    dict(type='PairedRandomCropPad', keys=['img', 'gt'], crop_size=crop_size,
         pad_mode='symmetric'),
    dict(type='RandomDihedral', keys=['img', 'gt']),
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

# evaluators (../evaluators/paired.py): PSNR / SSIM while training; the test
# adds LPIPS, FID (when its weights are given), NIQE and BRISQUE. Standard
# protocol: full resolution, RGB, no crop, no GT statistics.

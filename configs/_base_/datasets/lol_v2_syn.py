# LOL-v2 Synthetic (Yang et al. 2021): 900 training and 100 test pairs of
# 384 x 384 (the reference's evaluation file lists 92 of the test pairs).
#   data/LOL-v2/Synthetic/{Train,Test}/{Low,Normal}/*.png
# 512-px training crops: NumpyPad reflect-pads both 384-px sides by 128
# (see lol_v1.py).
_base_ = './lol_v1.py'

data_root = 'data/LOL-v2/Synthetic'

train_pipeline = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='LoadImageStrict', key='gt', channel_order='rgb'),
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='NumpyPad', keys=['img', 'gt'],
         padding=((0, 128), (0, 128), (0, 0)), mode='reflect'),
    dict(type='PairedRandomCrop', gt_patch_size=512),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='Train/Low', gt='Train/Normal'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root, data_prefix=dict(img='Test/Low',
                                              gt='Test/Normal')))
test_dataloader = val_dataloader

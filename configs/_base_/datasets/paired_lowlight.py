# Paired low-/normal-light folders (LOL layout), RGB images in [0, 255].
# Stage configs set data_root / data_prefix and the crop size.
dataset_type = 'PairedFolderDataset'
crop_size = 128

train_pipeline = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='LoadImageStrict', key='gt', channel_order='rgb',
         same_size_as='img'),
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='PairedRandomCrop', gt_patch_size=crop_size),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='LoadImageStrict', key='gt', channel_order='rgb',
         same_size_as='img'),
    dict(type='PackInputs'),
]

# the reference recipe's per-GPU loader: batch 8 (the "8xb8" of the config
# names on 8 GPUs); the reference runs 12 workers per GPU
train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root='data/LOL-v1',
        data_prefix=dict(img='our485/low', gt='our485/high'),
        pipeline=train_pipeline))

val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root='data/LOL-v1',
        data_prefix=dict(img='eval15/low', gt='eval15/high'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

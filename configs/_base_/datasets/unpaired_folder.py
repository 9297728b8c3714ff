# Test-only sets without reference (LIME, DICM, MEF, NPE, VV, Fundus): each
# item is one input image (UnpairedFolderDataset: img only, no gt), scored
# with no-reference metrics only (NIQE, BRISQUE, UCIQE, UIQM of
# ../evaluators/no_reference.py); the reference code's PSNR against the
# input itself is not reproduced. Full resolution (G pads internally).
# Set-specific bases (lime.py, ...) set data_root and the folder.
_base_ = '../evaluators/no_reference.py'

dataset_type = 'UnpairedFolderDataset'

test_pipeline = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='PackInputs'),
]

test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root='data/IDIR',
        data_prefix=dict(img='LIME'),
        test_mode=True,
        pipeline=test_pipeline))

# test-only sets: there is no validation loop to feed
val_evaluator = None

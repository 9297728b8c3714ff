# The embedded demo: pairs made by
#   python tools/dataset_converters/synthesize_lowlight.py --out data/restorect_demo
# from scikit-image's real photos (train/low|high, test/low|high).
_base_ = './paired_lowlight.py'

demo_root = 'data/restorect_demo'
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    dataset=dict(
        data_root=demo_root, data_prefix=dict(img='train/low', gt='train/high')))
val_dataloader = dict(
    num_workers=0,
    dataset=dict(
        data_root=demo_root, data_prefix=dict(img='test/low', gt='test/high')))
test_dataloader = val_dataloader

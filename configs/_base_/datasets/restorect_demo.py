# The demo pairs that tools/run_demo.py synthesises into data/restorect_demo
# ({train,test}/{low,high}): paired_lowlight.py's pipeline (128-px random
# crops, flips, transposes), batch 4 loaded in the main process (CPU).
_base_ = ['./paired_lowlight.py', '../evaluators/paired.py']

demo_root = 'data/restorect_demo'
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    dataset=dict(
        data_root=demo_root,
        data_prefix=dict(img='train/low', gt='train/high')))
val_dataloader = dict(
    num_workers=0,
    dataset=dict(
        data_root=demo_root, data_prefix=dict(img='test/low', gt='test/high')))
test_dataloader = val_dataloader

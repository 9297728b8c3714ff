# Stage 0 on the embedded demo data (CPU, about a minute): what the README's
# quick start trains. Data: tools/dataset_converters/synthesize_lowlight.py
# writes data/restorect_demo/{train,test}/{low,high}.
_base_ = '../restorect_decom.py'

experiment_name = 'restorect-decom_demo'
work_dir = f'./work_dirs/{experiment_name}'

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

train_cfg = dict(max_iters=200, val_interval=100)
# s (texture diffusion) learns from its own likelihood (docs/method.md); at
# 10x the LR it settles within the demo's 200 iterations
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'texture_loss': dict(lr_mult=10.)}))
param_scheduler = dict(T_max=200)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=100))

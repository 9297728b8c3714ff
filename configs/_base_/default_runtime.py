# restorect_mm runtime: MMagic's default runtime plus what the plugin needs.
_base_ = 'mmagic::_base_/default_runtime.py'

# import (and so register) restorect_mm before anything is built
custom_imports = dict(imports=['restorect_mm'], allow_failed_imports=False)

default_scope = 'mmagic'

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(
        type='CheckpointHook',
        interval=5000,
        by_epoch=False,
        out_dir=None,  # inside work_dir, where --resume looks
        max_keep_ckpts=5,
        save_optimizer=True,
        save_best='PSNR',
        rule='greater',
        # temp file + fsync + rename: a crash never leaves a torn iter_N.pth,
        # and last_checkpoint names only complete files
        backend_args=dict(backend='local_atomic')),
    # training checkpoints stay loadable with torch.load(weights_only=True),
    # and a checkpoint that does not fit the model is an error
    # --resume falls back to the newest complete checkpoint
    checkpoint_safety=dict(type='CheckpointSafetyHook'),
    # RNGs seeded per iteration: a resumed run equals the uninterrupted one
    iteration_seed=dict(type='IterationSeedHook'),
)

# device_ids=None is valid on GPU (DDP uses the module's device) and is the
# only value DDP accepts for a CPU model (gloo ranks)
model_wrapper_cfg = dict(type='MMDistributedDataParallel', device_ids=None)

env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # NCCL on GPUs; without CUDA restorect_mm starts a gloo group first
    dist_cfg=dict(backend='nccl'),
)

log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
randomness = dict(seed=0, diff_rank_seed=False)

# --auto-scale-lr scales every optimiser's lr by (GPUs x batch per GPU) / 64:
# the learning rates of the configs are those of the paper's 8 GPUs x 8
auto_scale_lr = dict(enable=False, base_batch_size=64)

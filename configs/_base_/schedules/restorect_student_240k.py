# The reference's stage-2 recipe with MMEngine pieces: two optimisers (flows;
# whole student), each phase's LR rule, EMA 0.999, progressive patches; on top
# of the runtime (custom_hooks are runtime keys). The phase length is the
# model's (model.encoder_iters): nothing here depends on it.
_base_ = ['../default_runtime.py', './iter_based.py']

max_iters = 240_000
train_cfg = dict(max_iters=max_iters, val_interval=5_000)

# one DDP over the whole model; the generator is idle in phase 1
model_wrapper_cfg = dict(
    type='PhasedDistributedDataParallel',
    device_ids=None,
    find_unused_parameters=True)

# optimizer_e of the reference (flows) and optimizer_g (the whole student)
adamw = dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0)
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    prior_flows=dict(type='OptimWrapper', modules='prior_flows',
                     optimizer=adamw),
    student=dict(
        type='OptimWrapper',
        modules=['generator', 'prior_flows', 'feature_adapters'],
        optimizer=adamw))
# Each schedule counts the iterations of its own phase: the
# PhasedParamSchedulerHook steps only the wrapper that stepped. Reference:
# phase 1 (flows): 2e-4 * 0.1^floor(iter / 60k);
# phase 2 (student): 2e-4 * 0.5^floor((iter - encoder_iters) / 80k).
param_scheduler = dict(
    prior_flows=[
        dict(type='MultiStepLR', by_epoch=False, milestones=[60_000],
             gamma=0.1)
    ],
    student=[
        dict(type='StepLR', by_epoch=False, step_size=80_000, gamma=0.5)
    ])

custom_hooks = [
    dict(type='EMAHook', ema_type='TrainableEMA', momentum=0.001,
         update_buffers=False, priority='ABOVE_NORMAL'),
    dict(type='BasicVisualizationHook', interval=1),
]
default_hooks = dict(
    param_scheduler=dict(type='PhasedParamSchedulerHook'),
    checkpoint=dict(interval=5_000, save_best='PSNR'),
    # The reference's stage-2 progressive iterations are 150k, 60k, 50k, 60k,
    # 40k, 40k: a 240k run reaches the third size. A default hook (a dict
    # key, unlike the custom_hooks list), so a leaf states only this.
    progressive_patch=dict(
        type='ProgressivePatchHook',
        patch_sizes=[192, 256, 320],
        batch_sizes=[8, 4, 2],
        milestones=[150_000, 210_000],
        same_window_per_batch=True))  # one window per mini-batch, as ref.

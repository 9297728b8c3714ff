# Stage-2 recipe of the reference (spec Part B 7), with MMEngine pieces: two
# optimisers (flows; whole student), the phase LR rules, EMA 0.999,
# progressive patches; on top of the runtime (custom_hooks are runtime keys).
_base_ = ['../default_runtime.py', './iter_based.py']

encoder_iters = 80_000
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
# phase 1: 2e-4 * 0.1^floor(iter / 60k); phase 2: 2e-4 * 0.5^floor((iter -
# encoder_iters) / 80k) (Part B 7)
param_scheduler = dict(
    prior_flows=[
        dict(type='MultiStepLR', by_epoch=False, milestones=[60_000],
             gamma=0.1, begin=0, end=encoder_iters)
    ],
    student=[
        dict(type='StepLR', by_epoch=False, step_size=80_000, gamma=0.5,
             begin=encoder_iters, end=max_iters)
    ])

custom_hooks = [
    dict(type='EMAHook', ema_type='TrainableEMA', momentum=0.001,
         update_buffers=False, priority='ABOVE_NORMAL'),
    # S2 progressive iters of the reference: 150k, 60k, 50k, 60k, 40k, 40k
    dict(type='ProgressivePatchHook',
         patch_sizes=[192, 256, 320, 384, 464, 512],
         batch_sizes=[8, 4, 2, 2, 1, 1],
         milestones=[150_000, 210_000, 260_000, 320_000, 360_000]),
    dict(type='BasicVisualizationHook', interval=1),
]
default_hooks = dict(checkpoint=dict(interval=5_000, save_best='PSNR'))

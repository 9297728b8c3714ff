# The reference's stage-1 recipe, with MMEngine pieces:
# loop, optimiser, LR schedule, EMA, progressive patches; on top of the
# runtime because custom_hooks and the visualizer are runtime keys.
_base_ = ['../default_runtime.py', './iter_based.py']

max_iters = 300_000
train_cfg = dict(max_iters=max_iters, val_interval=5_000)

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0))

# The reference's CosineAnnealingRestartCyclicLR: periods [92k, 208k],
# restart weights [1, 1], eta_mins [2.55e-4, 1e-6]. MMEngine's
# CosineRestartLR takes one eta_min for all periods, so each period is its own
# single-period CosineRestartLR with begin/end: the first rises from 2e-4 to
# 2.55e-4 (eta_min above the base lr, as in the reference), the second
# restarts at 2e-4 (a CosineRestartLR starts every period at base lr x weight)
# and decays to 1e-6. The restart lands on iteration 92,000 (0-based).
param_scheduler = [
    dict(type='CosineRestartLR', by_epoch=False, periods=[92_000],
         restart_weights=[1.0], eta_min=2.55e-4, begin=0, end=92_000),
    dict(type='CosineRestartLR', by_epoch=False, periods=[208_000],
         restart_weights=[1.0], eta_min=1e-6, begin=92_000, end=max_iters),
]

custom_hooks = [
    # EMA decay 0.999: MMEngine's momentum is 1 - decay
    # (ema = (1 - momentum) * ema + momentum * param). Checkpoints hold the
    # EMA weights in state_dict (the raw ones in ema_state_dict).
    dict(type='EMAHook', ema_type='TrainableEMA', momentum=0.001,
         update_buffers=False, priority='ABOVE_NORMAL'),
    # progressive patches on 512-px loads of 8 per GPU
    dict(type='ProgressivePatchHook',
         patch_sizes=[192, 256, 320, 384, 464, 512],
         batch_sizes=[8, 4, 2, 2, 1, 1],
         milestones=[92_000, 172_000, 210_000, 243_000, 276_000],
         same_window_per_batch=True),  # one window per mini-batch, as ref.
    dict(type='BasicVisualizationHook', interval=1),
]

# the teacher needs the GT at test time too: show input, GT and restoration
visualizer = dict(
    type='ConcatImageVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    fn_key='gt_path',
    img_keys=['input', 'gt_img', 'pred_img'],
    bgr2rgb=True)  # outputs are BGR, as MMagic; the backend writes RGB

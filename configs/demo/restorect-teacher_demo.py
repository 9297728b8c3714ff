# Stage 1 on the embedded demo data (CPU, about two minutes): a tiny teacher
# (dim 16, one block per level, 64-d priors) on 128-px loads with progressive
# 64 -> 96 -> 128 px sub-crops. Reads the stage-0 demo weights under the
# stable name that publish_model.py writes:
#   python tools/publish_model.py work_dirs/restorect-decom_demo/best_*.pth \
#       work_dirs/restorect-decom_demo/restorect-decom_demo.pth
#   python tools/train.py configs/demo/restorect-teacher_demo.py
# (tools/run_demo.py does all of it, under its own --work-dir). Demo-only
# changes to the reference recipe, for a 200-iteration run: lr 1e-3 (the same
# restart shape, periods scaled to 60 + 140), EMA momentum 0.05 instead of
# 0.001 (at 0.001 the EMA weights would still be 80 % initialisation after
# 200 iterations).
_base_ = [
    '../_base_/models/restorect_teacher.py',
    '../_base_/schedules/restorect_teacher_300k.py',
    '../_base_/datasets/restorect_demo.py',
]

experiment_name = 'restorect-teacher_demo'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(
        dim=16,
        num_blocks=(1, 1, 1, 1),
        num_refinement_blocks=1,
        prior_dim=64,
        rex_split=(48, 16)),
    rex_prior=dict(n_feats=16, n_encoder_res=1),
    img_prior=dict(n_feats=16, n_encoder_res=1),
    # what stage 0's demo publishes (see above)
    decom_weights='work_dirs/restorect-decom_demo/restorect-decom_demo.pth')

max_iters = 200
train_cfg = dict(max_iters=max_iters, val_interval=100)
# k (HVI) and s (texture diffusion) learn from their own likelihoods
# (docs/method.md); at 10x the LR they settle within the demo's 200 iterations
optim_wrapper = dict(
    optimizer=dict(lr=1e-3),
    paramwise_cfg=dict(custom_keys={
        'hvi_loss': dict(lr_mult=10.),
        'texture_loss': dict(lr_mult=10.)
    }))
param_scheduler = [
    dict(type='CosineRestartLR', by_epoch=False, periods=[60],
         restart_weights=[1.0], eta_min=1.275e-3, begin=0, end=60),
    dict(type='CosineRestartLR', by_epoch=False, periods=[140],
         restart_weights=[1.0], eta_min=5e-6, begin=60, end=max_iters),
]
custom_hooks = [
    dict(type='EMAHook', ema_type='TrainableEMA', momentum=0.05,
         update_buffers=False, priority='ABOVE_NORMAL'),
    dict(type='ProgressivePatchHook', patch_sizes=[64, 96, 128],
         batch_sizes=[4, 2, 1], milestones=[100, 160]),
    dict(type='BasicVisualizationHook', interval=1),
]
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=100))

# the demo scores PSNR / SSIM only: LPIPS and FID of the full evaluator need
# network weights that the demo does not download
test_evaluator = [dict(type='PSNR'), dict(type='SSIM')]

# Stage 0: train the Retinex decomposition nets D_low / D_high of RestoRect on
# paired data (LOL-v1 layout by default). Stages 1 and 2 load and freeze the
# result: publish it with
#   python tools/publish_model.py work_dirs/restorect_decom/best_*.pth \
#       work_dirs/restorect_decom/restorect-decom.pth
# (restorect-decom-<hash>.pth to share, and the stable restorect-decom.pth
# that configs/restorect_teacher.py reads by default)
_base_ = [
    './_base_/models/restorect_decom.py',
    './_base_/default_runtime.py',
    './_base_/schedules/iter_based.py',
    './_base_/datasets/paired_lowlight.py',
]

experiment_name = 'restorect_decom'
work_dir = f'./work_dirs/{experiment_name}'

# 1 GPU x 16 patches of 128 px: the nets have 20.5 K parameters each
train_dataloader = dict(batch_size=16, num_workers=4)
train_cfg = dict(max_iters=20_000, val_interval=2_000)

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0))
param_scheduler = dict(
    type='CosineAnnealingLR', by_epoch=False, T_max=20_000, eta_min=1e-5)

# pred_img is D_high's reconstruction R_gt * L_gt: PSNR/SSIM against the GT
# measure how faithful the decomposition is
val_evaluator = [
    dict(type='RetinexDecompositionMetric'),
    dict(type='PSNR'),
    dict(type='SSIM'),
]
test_evaluator = val_evaluator

default_hooks = dict(
    checkpoint=dict(interval=2_000, save_best='recon_gt_PSNR', rule='greater'))

visualizer = dict(
    type='ConcatImageVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    fn_key='gt_path',
    img_keys=['input', 'gt_img', 'pred_img'],
    bgr2rgb=True)  # outputs are BGR, as MMagic; the backend writes RGB
custom_hooks = [dict(type='BasicVisualizationHook', interval=1)]

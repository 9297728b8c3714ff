# Stage 2 on the embedded demo data (CPU, a couple of minutes): distils the
# tiny demo teacher (configs/demo/restorect-teacher_demo.py) into the student.
# Reads the demo teacher under the stable name that publish_model.py writes:
#   python tools/publish_model.py work_dirs/restorect-teacher_demo/best_*.pth \
#       work_dirs/restorect-teacher_demo/restorect-teacher_demo.pth
# (the quick start, tools/run_demo.py, passes its own files with --cfg-options)
_base_ = [
    '../_base_/models/restorect_student.py',
    '../_base_/schedules/restorect_student_240k.py',
    '../_base_/datasets/restorect_demo.py',
]

experiment_name = 'restorect-student_demo'
work_dir = f'./work_dirs/{experiment_name}'

n_feats = 16  # priors of 4 * 16 = 64 dims
tiny_rgformer = dict(  # the rest as ../_base_/models/rgformer.py
    dim=16,
    num_blocks=(1, 1, 1, 1),
    num_refinement_blocks=1,
    prior_dim=4 * n_feats,
    rex_split=(3 * n_feats, n_feats))
encoder = dict(in_images=2, n_feats=n_feats, n_encoder_res=1)

encoder_iters = 150
max_iters = 400
model = dict(
    generator=tiny_rgformer,
    teacher_generator=tiny_rgformer,
    teacher_rex_prior=dict(type='RetinexPriorEncoder', **encoder),
    teacher_img_prior=dict(type='ImagePriorEncoder', **encoder),
    prior_flows=dict(n_feats=n_feats, n_encoder_res=1),
    # what stage 1's demo publishes (see above)
    teacher_weights='work_dirs/restorect-teacher_demo/'
    'restorect-teacher_demo.pth',
    encoder_iters=encoder_iters)

# 64-px crops, horizontal flips and transposes (no vertical flips)
train_pipeline = [
    dict(type='LoadImageStrict', key='img', channel_order='rgb'),
    dict(type='LoadImageStrict', key='gt', channel_order='rgb',
         same_size_as='img'),
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='PairedRandomCrop', gt_patch_size=64),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

train_cfg = dict(max_iters=max_iters, val_interval=200)
adamw = dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0)
optim_wrapper = dict(
    prior_flows=dict(optimizer=adamw), student=dict(optimizer=adamw))
param_scheduler = dict(
    prior_flows=[dict(type='ConstantLR', by_epoch=False, factor=1.0)],
    # phase 2 lasts max_iters - encoder_iters of the student's own steps
    student=[
        dict(type='CosineAnnealingLR', by_epoch=False,
             T_max=max_iters - encoder_iters, eta_min=1e-5)
    ])
# demo: no progressive sub-crops (one stage: the 64-px loads, batch 4, as
# they come); EMA momentum 0.05 instead of 0.001 so that the EMA weights move
# within a 400-iteration run
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=200),
    progressive_patch=dict(patch_sizes=[64], batch_sizes=[4], milestones=[]))
custom_hooks = [
    dict(type='EMAHook', ema_type='TrainableEMA', momentum=0.05,
         update_buffers=False, priority='ABOVE_NORMAL'),
    dict(type='BasicVisualizationHook', interval=1),
]

# the demo scores PSNR / SSIM only: LPIPS and FID of the full evaluator need
# network weights that the demo does not download
test_evaluator = [dict(type='PSNR'), dict(type='SSIM')]

# Stage 2: distil the stage-1 teacher into the RestoRect student, whose priors
# come from the degraded input alone through conditional latent rectified flows.
# The documented full-size command (8 GPUs x batch 8, LOL-v1 layout):
#   bash tools/dist_train.sh configs/restorect_student.py 8 \
#       --cfg-options model.teacher_weights=restorect-teacher-<hash>.pth
# Phase 1 (iter < encoder_iters) trains the flows only; phase 2 everything.
_base_ = [
    './_base_/default_runtime.py',
    './_base_/schedules/iter_based.py',
    './_base_/datasets/paired_lowlight.py',
]

experiment_name = 'restorect_student'
work_dir = f'./work_dirs/{experiment_name}'

encoder_iters = 80_000
max_iters = 240_000

rgformer = dict(
    type='RGFormer',
    dim=64,
    num_blocks=(3, 3, 3, 3),
    num_refinement_blocks=3,
    heads=(1, 2, 4, 8),
    ffn_expansion_factor=2.66,
    norm_type='SpatialChannel')

model = dict(
    type='RestoRectDistiller',
    generator=rgformer,
    teacher_generator=rgformer,
    teacher_rex_prior=dict(type='RetinexPriorEncoder', in_images=2),
    teacher_img_prior=dict(type='ImagePriorEncoder', in_images=2),
    prior_flows=dict(
        type='RetinexPriorFlows',
        timesteps=4,
        time_input='index',  # reference: k / 40; 'continuous' for any N
        grad_through_sampler=True),  # Part A; False reproduces the reference
    decom_low=dict(type='DecomNet'),
    decom_high=dict(type='DecomNet'),
    # the published stage-1 weights (tools/publish_model.py prints the name)
    teacher_weights='work_dirs/restorect_teacher/restorect-teacher.pth',
    init_student_from_teacher=True,
    encoder_iters=encoder_iters,
    num_steps=4,  # paper; num_steps=5 is the reference code's default
    velocity_weights=(0.1, 0.05),
    kd_loss=dict(type='KDLoss', loss_weight=1.0, temperature=0.15),
    flex_loss=dict(
        type='FLEXLoss',
        loss_weight=0.5,
        outlier_percentile=95.0,
        # decoder_level3, decoder_level2, decoder_level1, z_rex, z_img
        layer_weights=[2.0, 1.41, 1.0, 2.0, 1.41]),
    flex_targets=['features', 'priors'],  # reference: ['priors']
    test_cfg=dict(seed=0),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))

# one DDP over the whole model; the generator is idle in phase 1
model_wrapper_cfg = dict(
    type='PhasedDistributedDataParallel',
    device_ids=None,
    find_unused_parameters=True)

train_dataloader = dict(batch_size=8, num_workers=8)
train_cfg = dict(max_iters=max_iters, val_interval=5_000)

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
    dict(type='EMAHook', momentum=0.001, priority='ABOVE_NORMAL'),
    dict(type='BasicVisualizationHook', interval=1),
]
default_hooks = dict(checkpoint=dict(interval=5_000, save_best='PSNR'))

val_evaluator = [dict(type='PSNR'), dict(type='SSIM')]
test_evaluator = val_evaluator

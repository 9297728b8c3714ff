# The RestoRect student (stage 2) at full size, distilled from the frozen
# teacher by RestoRectDistiller: 26,219,003 trainable parameters in the
# training graph (G with its auxiliary head + both prior flows), 26,105,911
# in the inference graph (configs/restorect_student_inference.py).
_base_ = './rgformer.py'

model = dict(
    type='RestoRectDistiller',
    # the student's G (inherited) starts as a copy of the teacher's
    teacher_generator={{_base_.model.generator}},
    teacher_rex_prior=dict(type='RetinexPriorEncoder', in_images=2),
    teacher_img_prior=dict(type='ImagePriorEncoder', in_images=2),
    prior_flows=dict(
        type='RetinexPriorFlows',
        timesteps=4,
        time_input='index',  # reference: k / 40; 'continuous' for any N
        grad_through_sampler=True),  # see docs/method.md; False: reference
    decom_low=dict(type='DecomNet'),
    decom_high=dict(type='DecomNet'),
    # the published stage-1 weights: the stable name that
    #   python tools/publish_model.py work_dirs/restorect_teacher/best_*.pth \
    #       work_dirs/restorect_teacher/restorect-teacher.pth
    # writes (another file: --cfg-options model.teacher_weights=FILE)
    teacher_weights='work_dirs/restorect_teacher/restorect-teacher.pth',
    init_student_from_teacher=True,
    encoder_iters=80_000,  # phase 1; the schedule base uses the same value
    num_steps=4,  # paper; num_steps=5 is the reference code's default
    velocity_loss=dict(type='MSELoss', loss_weight=1.0),
    velocity_weights=(0.1, 0.05),  # phase 1, phase 2
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

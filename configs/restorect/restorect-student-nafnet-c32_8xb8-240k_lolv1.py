# MMagic's NAFNet (width 32, the SIDD block layout of the NAFNet paper:
# encoders 2-2-4-8, 12 middle blocks, decoders 2-2-2-2) as the RestoRect
# student on LOL-v1: no priors, no flows; pixel loss + FLEX on the decoder
# maps across architectures. NAFNet's decoders at H/4, H/2 and H (128, 64,
# 32 channels) are paired with the teacher's decoder_level3/2/1 (256, 128,
# 128 channels) through learnable 1x1 adapters.
#   bash tools/dist_train.sh \
#       configs/restorect/restorect-student-nafnet-c32_8xb8-240k_lolv1.py 8
# (the teacher as restorect-student_8xb8-240k_lolv1.py reads it)
# Inference: configs/restorect/restorect-student-nafnet-c32-inference_lolv1.py
_base_ = './restorect-student_8xb8-240k_lolv1.py'

experiment_name = 'restorect-student-nafnet-c32_8xb8-240k_lolv1'
work_dir = f'./work_dirs/{experiment_name}'

nafnet_c32 = dict(
    type='NAFNet',
    img_channels=3,
    mid_channels=32,
    enc_blk_nums=[2, 2, 4, 8],
    middle_blk_num=12,
    dec_blk_nums=[2, 2, 2, 2])
model = dict(
    generator=dict(_delete_=True, **nafnet_c32),
    student_uses_priors=False,
    init_student_from_teacher=False,
    flex_targets=['features'],
    teacher_feature_layers=['decoder_level3', 'decoder_level2',
                            'decoder_level1'],
    student_feature_layers=['decoders.1', 'decoders.2', 'decoders.3'],
    feature_channels=[(128, 256), (64, 128), (32, 128)],
    flex_loss=dict(layer_weights=[2.0, 1.41, 1.0]))

# one phase (no flows): the student optimiser from the first iteration, with
# the student's LR rule (halved every 80k iterations)
adamw = dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0)
optim_wrapper = dict(
    _delete_=True,
    constructor='MultiOptimWrapperConstructor',
    student=dict(type='OptimWrapper',
                 modules=['generator', 'feature_adapters'],
                 optimizer=adamw))
param_scheduler = dict(
    _delete_=True,
    student=[
        dict(type='StepLR', by_epoch=False, step_size=80_000, gamma=0.5)
    ])

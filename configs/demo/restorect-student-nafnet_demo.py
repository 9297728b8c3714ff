# An MMagic generator as the RestoRect student: MMagic's NAFNet (no priors,
# no flows) distilled from the demo teacher with FLEX across architectures.
# Decoder maps are paired by position; learnable 1x1 adapters bridge channel
# counts (NAFNet's last decoder has 16 channels, the teacher's 32).
#   python tools/train.py configs/demo/restorect-student-nafnet_demo.py
# (the demo teacher as configs/demo/restorect-student_demo.py reads it)
_base_ = './restorect-student_demo.py'

experiment_name = 'restorect-student-nafnet_demo'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(
        _delete_=True,
        type='NAFNet',
        img_channels=3,
        mid_channels=16,
        enc_blk_nums=[1, 1, 1],
        middle_blk_num=1,
        dec_blk_nums=[1, 1, 1]),
    student_uses_priors=False,
    init_student_from_teacher=False,
    flex_targets=['features'],
    teacher_feature_layers=['decoder_level3', 'decoder_level2',
                            'decoder_level1'],
    student_feature_layers=['decoders.0', 'decoders.1', 'decoders.2'],
    feature_channels=[(64, 64), (32, 32), (16, 32)],
    flex_loss=dict(layer_weights=[2.0, 1.41, 1.0]))

adamw = dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0)
optim_wrapper = dict(
    _delete_=True,
    constructor='MultiOptimWrapperConstructor',
    student=dict(type='OptimWrapper',
                 modules=['generator', 'feature_adapters'],
                 optimizer=adamw))
param_scheduler = dict(
    _delete_=True,
    student=[
        dict(type='CosineAnnealingLR', by_epoch=False, T_max=400,
             eta_min=1e-5)
    ])

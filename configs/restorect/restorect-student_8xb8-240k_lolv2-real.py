# RestoRect student on lolv2-real, 8 GPUs x batch 8, 240_000 iterations, phase 1
# for the first 100_000 (the reference recipe). Reads the
# teacher of restorect-teacher_8xb8-300k_lolv2-real.py, under the name that
#   python tools/publish_model.py \
#       work_dirs/restorect-teacher_8xb8-300k_lolv2-real/best_*.pth \
#       work_dirs/restorect-teacher_8xb8-300k_lolv2-real/restorect-teacher.pth
# writes (another teacher: --cfg-options model.teacher_weights=FILE)
_base_ = [
    '../_base_/models/restorect_student.py',
    '../_base_/schedules/restorect_student_240k.py',
    '../_base_/datasets/lol_v2_real.py',
]

experiment_name = 'restorect-student_8xb8-240k_lolv2-real'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    encoder_iters=100_000,
    teacher_weights='work_dirs/restorect-teacher_8xb8-300k_lolv2-real/'
    'restorect-teacher.pth')
# LOL-v2-real's progressive iterations in the reference: 120k, 80k, 38k, 33k,
# 33k, 24k; a 240k run reaches the fourth size
default_hooks = dict(
    progressive_patch=dict(
        patch_sizes=[192, 256, 320, 384],
        batch_sizes=[8, 4, 2, 2],
        milestones=[120_000, 200_000, 238_000]))

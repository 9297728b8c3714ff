# RestoRect student on BAID, 8 GPUs x batch 8, 400_000 iterations, phase 1
# for the first 100_000 (the reference recipe; it
# tested its 180k checkpoint). Reads the
# teacher of restorect-teacher_8xb8-300k_baid.py, under the stable name that
#   python tools/publish_model.py \
#       work_dirs/restorect-teacher_8xb8-300k_baid/best_*.pth \
#       work_dirs/restorect-teacher_8xb8-300k_baid/restorect-teacher.pth
# writes (another teacher: --cfg-options model.teacher_weights=FILE)
_base_ = [
    '../_base_/models/restorect_student.py',
    '../_base_/schedules/restorect_student_400k.py',
    '../_base_/datasets/baid.py',
]

experiment_name = 'restorect-student_8xb8-400k_baid'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    encoder_iters=100_000,
    teacher_weights='work_dirs/restorect-teacher_8xb8-300k_baid/'
    'restorect-teacher.pth')

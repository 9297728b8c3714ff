# RestoRect student on UIEB, 8 GPUs x batch 8, 400_000 iterations, phase 1
# for the first 100_000 (the reference recipe; it
# tested its 215k checkpoint). Reads the
# teacher of restorect-teacher_8xb8-300k_uieb.py, under the stable name that
#   python tools/publish_model.py \
#       work_dirs/restorect-teacher_8xb8-300k_uieb/best_*.pth \
#       work_dirs/restorect-teacher_8xb8-300k_uieb/restorect-teacher.pth
# writes (another teacher: --cfg-options model.teacher_weights=FILE)
_base_ = [
    '../_base_/models/restorect_student.py',
    '../_base_/schedules/restorect_student_400k.py',
    '../_base_/datasets/uieb.py',
]

experiment_name = 'restorect-student_8xb8-400k_uieb'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    encoder_iters=100_000,
    teacher_weights='work_dirs/restorect-teacher_8xb8-300k_uieb/'
    'restorect-teacher.pth')

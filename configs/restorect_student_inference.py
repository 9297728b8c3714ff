# The standalone RestoRect student on LOL-v1's test set, as tools/test.py
# evaluates it. Weights come from
#   python tools/model_converters/extract_student.py \
#       work_dirs/restorect_student/iter_240000.pth \
#       work_dirs/restorect_student/restorect-student.pth
# and test.py's checkpoint argument (the stable name, or the hashed file):
#   python tools/test.py configs/restorect_student_inference.py \
#       work_dirs/restorect_student/restorect-student.pth
_base_ = [
    './_base_/models/restorect_student_inference.py',
    './_base_/default_runtime.py',
    './_base_/datasets/lol_v1.py',
]

experiment_name = 'restorect_student_inference'
work_dir = f'./work_dirs/{experiment_name}'

# evaluation only: validation and test loops, no training
train_dataloader = None
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')
custom_hooks = [dict(type='BasicVisualizationHook', interval=1)]

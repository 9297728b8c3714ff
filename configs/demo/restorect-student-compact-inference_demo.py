# The standalone compact demo student (configs/demo/restorect-student-compact_demo.py),
# evaluated by tools/test.py on the weights that
# tools/model_converters/extract_student.py writes.
_base_ = './restorect-student-inference_demo.py'

experiment_name = 'restorect-student-compact-inference_demo'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(dim=8))

# SICE, multi-exposure image enhancement (Cai et al., "Learning a Deep Single
# Image Contrast Enhancer from Multi-Exposure Images", TIP 2018). Training:
# every exposure of a scene against the scene's single reference
# (SICEMultiExposureDataset); validation: the eval split, <id>.jpg against
# <id>.JPG (PairedFolderDataset, first run of digits).
#   data/SICE/Dataset/train/<scene>/*.JPG      (many exposures per scene)
#   data/SICE/Dataset/label/<scene>.JPG        (one reference per scene)
#   data/SICE/Dataset/eval/test/<id>.jpg       (validation inputs)
#   data/SICE/Dataset/eval/target/<id>.JPG     (validation references)
# Pipeline: long edge <= 2048, multiple of 32, 512-px training crops (see
# paired_resize_long_edge.py). The SICE-Mix / SICE-Grad test sets:
# sice_mix.py / sice_grad.py.
_base_ = './paired_resize_long_edge.py'

data_root = 'data/SICE'

train_dataloader = dict(
    dataset=dict(
        type='SICEMultiExposureDataset',
        data_root=data_root,
        data_prefix=dict(img='Dataset/train', gt='Dataset/label')))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='Dataset/eval/test', gt='Dataset/eval/target')))
test_dataloader = val_dataloader

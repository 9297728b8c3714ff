# SICE-Mix test set: 485 SICE scenes whose input mixes several exposures,
# against the resized references of SICE_Reshape (the SICE-Mix / SICE-Grad
# test sets as distributed, e.g., with the data of HVI-CIDNet, Yan et al.,
# CVPR 2025). Evaluated with the SICE model (training / validation as
# sice.py).
#   data/SICE/SICE_Mix/*        inputs
#   data/SICE/SICE_Reshape/*    references
# Pairs by the first run of digits in the file names (PairedFolderDataset).
_base_ = './sice.py'

test_dataloader = dict(
    dataset=dict(
        type='PairedFolderDataset',
        data_root='data/SICE',
        data_prefix=dict(img='SICE_Mix', gt='SICE_Reshape')))

# SICE-Grad test set: the 485 SICE scenes of sice_mix.py with a gradual
# exposure input, against SICE_Reshape (as distributed with HVI-CIDNet).
# Evaluated with the SICE model (training / validation as sice.py).
#   data/SICE/SICE_Grad/*       inputs
#   data/SICE/SICE_Reshape/*    references
_base_ = './sice_mix.py'

test_dataloader = dict(dataset=dict(data_prefix=dict(img='SICE_Grad')))

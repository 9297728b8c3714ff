# DICM (Lee et al., "Contrast Enhancement Based on Layered Difference
# Representation", ICIP 2012).
# Low-light photos without reference (44 as the reference evaluates them);
# RestoRect evaluates them with the LOL-v2-syn model:
#   configs/restorect/restorect-student_test_dicm.py
# Layout (the IDIR collection of unpaired low-light test sets):
#   data/IDIR/DICM/*
# No-reference metrics only (see unpaired_folder.py).
_base_ = './unpaired_folder.py'

test_dataloader = dict(
    dataset=dict(data_root='data/IDIR', data_prefix=dict(img='DICM')))

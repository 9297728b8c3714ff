# SID, Sony subset (Chen et al., "Learning to See in the Dark", CVPR 2018),
# as RestoRect uses it ("SSID"): the RAW captures converted to resized PNGs,
# pairs from SID's split lists ("short long [ISO F]" per line; folders and
# extensions in the lists are ignored, stems are looked up in the folders,
# see SIDListDataset).
#   data/SSID/Sony_train_list.txt, Sony_val_list.txt, Sony_test_list.txt
#   data/SSID/Sony/short_resized/*.png   (short exposures, inputs)
#   data/SSID/Sony/long_resized/*.png    (long exposures, references)
# Pipeline: long edge <= 2048, multiple of 32, 512-px training crops (see
# paired_resize_long_edge.py). The reference scored 350 of the 598 test
# pairs (the 248 worst removed); this config scores all of them.
_base_ = './paired_resize_long_edge.py'

data_root = 'data/SSID'
sid_prefix = dict(img='Sony/short_resized', gt='Sony/long_resized')

train_dataloader = dict(
    dataset=dict(
        type='SIDListDataset',
        data_root=data_root,
        ann_file='Sony_train_list.txt',
        data_prefix=sid_prefix))
val_dataloader = dict(
    dataset=dict(
        type='SIDListDataset',
        data_root=data_root,
        ann_file='Sony_val_list.txt',
        data_prefix=sid_prefix))
test_dataloader = dict(
    dataset=dict(
        type='SIDListDataset',
        data_root=data_root,
        ann_file='Sony_test_list.txt',
        data_prefix=sid_prefix))

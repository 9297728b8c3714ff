# G of RestoRect, the one RGFormer of every full-size graph (teacher, student
# in distillation, standalone student): dim 64, Transformer blocks 3/3/3/3,
# 3 refinement blocks, heads 1/2/4/8, gated-FFN expansion 2.66,
# Spatial-Channel LayerNorm, 256-d priors (192 Retinex + 64 image). Model
# bases inherit it and add their own keys; demos override the width.
model = dict(
    generator=dict(
        type='RGFormer',
        dim=64,
        num_blocks=(3, 3, 3, 3),
        num_refinement_blocks=3,
        heads=(1, 2, 4, 8),
        ffn_expansion_factor=2.66,
        norm_type='SpatialChannel'))

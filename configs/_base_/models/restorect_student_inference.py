# The standalone RestoRect student (no teacher, no GT, no D_high, no auxiliary
# head): G (./rgformer.py) with the priors sampled by the flows from D_low's
# Retinex maps of the input, 26,105,911 parameters. What tools/test.py
# evaluates and restore.py / the exporters deploy.
_base_ = './rgformer.py'

model = dict(
    type='RestoRectStudent',
    generator=dict(with_retinex_head=False),
    prior_flows=dict(
        type='RetinexPriorFlows', timesteps=4, time_input='index'),
    decom_low=dict(type='DecomNet'),
    num_steps=4,
    seed=0,
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))

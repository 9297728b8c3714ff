from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub

from mmagic.registry import HOOKS
from mmagic.structures import DataSample
from restorect_mm.engine.hooks import ProgressivePatchHook

CFG = dict(type='ProgressivePatchHook', patch_sizes=[8, 12, 16],
           batch_sizes=[4, 2, 1], milestones=[10, 20])


def _batch(n=4, size=16):
    """PackInputs-style batch; the GT is a known function of the input so a
    crop of either can be checked against the other."""
    inputs, samples = [], []
    for i in range(n):
        img = torch.arange(3 * size * size, dtype=torch.float32).view(
            3, size, size) + 1000 * i
        inputs.append(img)
        samples.append(DataSample(gt_img=img * 2 + 1))
    return dict(inputs=inputs, data_samples=samples)


def _runner(iteration, seed=0):
    return SimpleNamespace(iter=iteration, seed=seed,
                           message_hub=MessageHub.get_instance('pp_test'))


def test_stage_boundaries():
    hook = HOOKS.build(CFG)
    assert [hook.stage(i) for i in (0, 9, 10, 19, 20, 10**6)] == \
        [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize('kwargs,match', [
    (dict(batch_sizes=[4, 2]), 'same length'),
    (dict(milestones=[10]), 'milestones'),
    (dict(milestones=[20, 10]), 'increasing'),
    (dict(patch_sizes=[8, 0, 16]), 'positive'),
])
def test_invalid_schedules_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        HOOKS.build({**CFG, **kwargs})


@pytest.mark.parametrize('iteration,size,keep', [(0, 8, 4), (15, 12, 2),
                                                 (25, 16, 1)])
def test_same_crop_for_input_and_gt_in_place(iteration, size, keep):
    hook = HOOKS.build(CFG)
    batch = _batch()
    originals = [t.clone() for t in batch['inputs']]
    same_dict = batch
    hook.before_train_iter(_runner(iteration), 0, batch)
    assert batch is same_dict  # mutated in place: train_step sees this dict
    assert len(batch['inputs']) == len(batch['data_samples']) == keep
    for img, sample in zip(batch['inputs'], batch['data_samples']):
        assert img.shape == (3, size, size)
        assert torch.equal(sample.gt_img, img * 2 + 1)  # same window
        # a window of one of the original images
        source = originals[int(img[0, 0, 0].item()) // 1000]
        top = int(img[0, 0, 0].item()) % 1000 // 16
        left = int(img[0, 0, 0].item()) % 1000 % 16
        assert torch.equal(img, source[:, top:top + size, left:left + size])
    hub = MessageHub.get_instance('pp_test')
    assert hub.get_scalar('train/patch_size').current() == size
    assert hub.get_scalar('train/mini_batch_size').current() == keep


def test_seeded_by_runner_seed_and_iteration():
    hook = HOOKS.build(CFG)

    def crop(iteration, seed):
        batch = _batch()
        hook.before_train_iter(_runner(iteration, seed), 0, batch)
        return torch.stack(batch['inputs'])

    assert torch.equal(crop(15, 3), crop(15, 3))
    assert not torch.equal(crop(15, 3), crop(16, 3))
    assert not torch.equal(crop(15, 3), crop(15, 4))
    # the subsets vary over iterations
    picks = {tuple((crop(i, 0)[:, 0, 0, 0] // 1000).tolist())
             for i in range(10, 20)}
    assert len(picks) > 1


def test_small_images_and_stacked_inputs():
    hook = ProgressivePatchHook([32], [8], [])
    batch = _batch(n=2, size=16)
    batch['inputs'] = torch.stack(batch['inputs'])
    hook.apply(batch, 0)
    assert batch['inputs'].shape == (2, 3, 16, 16)  # kept whole


def test_mismatched_gt_size_is_an_error():
    hook = ProgressivePatchHook([8], [2], [])
    batch = _batch(n=1)
    batch['data_samples'][0].gt_img = torch.zeros(3, 32, 32)
    with pytest.raises(ValueError, match='one size'):
        hook.apply(batch, 0)


def _offsets(batch):
    return [int(img[0, 0, 0].item()) % 1000 for img in batch['inputs']]


def test_same_window_per_batch_crops_one_window_from_every_sample():
    shared = HOOKS.build({**CFG, 'same_window_per_batch': True})
    own = HOOKS.build(CFG)
    assert own.same_window_per_batch is False  # default: a window each
    differs = False
    for iteration in range(5):  # stage 0: 8 px windows, all 4 samples kept
        batch = _batch()
        shared.before_train_iter(_runner(iteration), 0, batch)
        assert len(set(_offsets(batch))) == 1
        for img, sample in zip(batch['inputs'], batch['data_samples']):
            assert img.shape == (3, 8, 8)
            assert torch.equal(sample.gt_img, img * 2 + 1)
        batch = _batch()
        own.before_train_iter(_runner(iteration), 0, batch)
        differs |= len(set(_offsets(batch))) > 1
    assert differs
    # a stacked batch as well, and sub-sampling still applies
    batch = _batch()
    batch['inputs'] = torch.stack(batch['inputs'])
    shared.before_train_iter(_runner(15), 0, batch)
    assert batch['inputs'].shape == (2, 3, 12, 12)
    assert len(set(_offsets(batch))) == 1

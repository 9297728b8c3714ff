"""LPIPS runs where the evaluation runs (the evaluated model's device, else
the images', else CUDA when there is one) unless a device is given. Checked
on the CPU with the 'meta' device and a faked CUDA; the VGG network is a
small stand-in (what moves is the module, whatever it holds)."""
import types

import pytest
import torch
import torch.nn as nn

from mmagic.registry import METRICS


class StandIn(nn.Module):
    """Takes the place of the LPIPS network: (pred, gt) -> distances."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))

    def forward(self, pred, gt):
        return ((pred - gt)**2).mean(dim=(1, 2, 3)) * self.scale


def build(**kwargs):
    metric = METRICS.build(dict(type='LPIPS', backbone_weights='unused.pth',
                                **kwargs))
    metric._model = StandIn()
    return metric


def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)


def fake_cuda(monkeypatch, index=1):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'current_device', lambda: index)


def test_a_given_device_is_kept(monkeypatch):
    fake_cuda(monkeypatch)
    metric = build(device='cpu')
    assert metric.network_device(torch.zeros(1, device='meta')) == \
        torch.device('cpu')
    assert build(device='cuda').network_device() == torch.device('cuda', 1)
    metric = build(device='meta')
    metric._get_model()
    assert next(metric._model.parameters()).device.type == 'meta'
    assert metric.device == torch.device('meta')


def test_default_follows_the_evaluated_model(monkeypatch):
    fake_cuda(monkeypatch)
    metric = build()
    model = nn.Conv2d(3, 3, 1, device='meta')
    model.data_preprocessor = None
    metric.prepare(model, types.SimpleNamespace(dataset=[0, 1]))
    assert metric.size == 2
    assert metric.network_device(torch.zeros(1)) == torch.device('meta')
    metric._get_model(metric.network_device())
    assert next(metric._model.parameters()).device.type == 'meta'


def test_default_follows_the_images_then_cuda_then_cpu(monkeypatch):
    metric = build()
    no_cuda(monkeypatch)
    assert metric.network_device(torch.zeros(1, device='meta')) == \
        torch.device('meta')
    assert metric.network_device(torch.zeros(1)) == torch.device('cpu')
    fake_cuda(monkeypatch, index=0)
    assert metric.network_device(torch.zeros(1)) == torch.device('cuda', 0)


def test_default_scores_on_the_cpu_without_a_gpu(monkeypatch):
    no_cuda(monkeypatch)
    metric = build()
    image = torch.rand(3, 8, 8) * 255
    metric.process({}, [{'gt_img': image, 'output': {'pred_img': image}}])
    assert metric.device == torch.device('cpu')
    assert metric.results == [{'LPIPS': pytest.approx(0.0)}]

"""benchmark.py --device cuda never opens CUDA in the parent and spawns its
children (a forked child cannot use CUDA once the parent has). Checked on the
CPU: the start method chosen per device and a faked CUDA run of the row
loop. A real spawned measurement runs in tools/analysis_tools/gpu_check.sh
--device cpu --tiny (benchmark.py --start-method spawn), see
tests/test_tools/test_gpu_check.py."""
import argparse

import pytest
import torch

from restorect_mm.utils.inference_benchmark import (measure_in_child,
                                                    start_method_for)
from tests.test_tools.test_benchmark import load_benchmark_module


@pytest.mark.parametrize('device,method', [('cuda', 'spawn'),
                                           ('cuda:1', 'spawn'),
                                           ('cpu', 'fork')])
def test_start_method_per_device(device, method):
    assert start_method_for(device) == method


def test_cuda_rows_spawn_children_and_parent_never_touches_cuda(monkeypatch):
    bench = load_benchmark_module()

    def no_cuda_here(*args, **kwargs):
        raise AssertionError('the parent process called CUDA')

    for name in ('get_device_name', 'init', 'synchronize',
                 'max_memory_allocated'):
        monkeypatch.setattr(torch.cuda, name, no_cuda_here)
    calls = []

    def fake_child(function, *args, start_method='fork'):
        calls.append((function.__name__, start_method))
        return dict(params=10, macs=1e9, latency_ms=2.0, peak_mib=3.0,
                    device_name='Fake GPU 141GB')

    monkeypatch.setattr(bench, 'measure_in_child', fake_child)
    args = argparse.Namespace(device='cuda', warmup=0, repeats=1, threads=None,
                              checkpoints={}, size='tiny', test_set=None)
    rows = [r for r in bench.model_rows('tiny') if r['key'] == 'teacher']
    results = bench.measure_rows(rows, args, [(16, 16)])
    assert calls == [('measure_speed', 'spawn')]
    assert 'device_name' not in results[0]['shapes']['16x16']
    assert 'Fake GPU 141GB' in bench.environment_line(args)


def test_child_reports_its_failure():
    with pytest.raises(RuntimeError, match='ZeroDivisionError'):
        measure_in_child(divmod, 1, 0, start_method='fork')

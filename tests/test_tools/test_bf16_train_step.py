"""bf16 autocast through both training phases of the demo distiller with
its two optimiser wrappers (prior_flows, student), on the CPU.

MMEngine's AmpOptimWrapper asserts a CUDA (or NPU/MLU) device at
construction; with that check faked it builds on the CPU, where its
GradScaler (torch.cuda.amp's) disables itself, and its optim_context is
MMEngine's autocast on the CPU at bfloat16. So this runs the wrapper's real
autocast path (what ``benchmark_train_step.py --amp`` builds); the loss
scaling of ``tools/train.py --amp`` (fp16, dynamic scale) stays GPU-only."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim.optimizer import amp_optimizer_wrapper

from tests.test_tools.test_benchmark_train_step import load_benchmark
from tests.test_tools.tool_runner import ROOT

STUDENT_DEMO = osp.join(ROOT, 'configs/demo/restorect-student_demo.py')


def conv_output_dtypes(module):
    """Record the output dtype of every Conv2d under ``module``."""
    seen = set()
    handles = [m.register_forward_hook(lambda m, i, o: seen.add(o.dtype))
               for m in module.modules() if isinstance(m, torch.nn.Conv2d)]
    return seen, handles


def test_bf16_autocast_through_both_phases(monkeypatch):
    monkeypatch.setattr(amp_optimizer_wrapper, 'is_cuda_available',
                        lambda: True)
    tool = load_benchmark()
    torch.manual_seed(0)
    model, optim = tool.build(Config.fromfile(STUDENT_DEMO), 'cpu', True)
    model.train()
    assert sorted(optim.keys()) == ['prior_flows', 'student']
    for wrapper in optim.values():
        assert type(wrapper).__name__ == 'AmpOptimWrapper'
        assert wrapper.cast_dtype == torch.bfloat16
    hub = MessageHub.get_current_instance()
    for phase, iteration, stepped in ((1, 0, 'prior_flows'),
                                      (2, model.encoder_iters, 'student')):
        hub.update_info('iter', iteration)
        assert model.current_phase() == phase
        before = {n: p.detach().clone()
                  for n, p in model.named_parameters() if p.requires_grad}
        flows, f_handles = conv_output_dtypes(model.prior_flows)
        generator, g_handles = conv_output_dtypes(model.generator)
        log_vars = model.train_step(tool.fake_batch(1, 16, 'cpu'), optim)
        for handle in f_handles + g_handles:
            handle.remove()
        assert torch.bfloat16 in flows, phase
        if phase == 2:
            assert torch.bfloat16 in generator
        for key, value in log_vars.items():
            assert torch.isfinite(torch.as_tensor(value)).all(), (phase, key)
        changed = {n.split('.')[0] for n, p in model.named_parameters()
                   if n in before and not torch.equal(p, before[n])}
        assert 'prior_flows' in changed, phase
        assert ('generator' in changed) == (stepped == 'student'), phase
        # the master weights stay float32 under autocast
        assert all(p.dtype == torch.float32 for p in model.parameters())


def test_amp_wrapper_still_refuses_a_cpu_only_machine():
    """What the test above fakes: tools/train.py --amp refuses the CPU
    with its own message before MMEngine's assertion."""
    if torch.cuda.is_available():
        pytest.skip('a GPU is present')
    tool = load_benchmark()
    with pytest.raises(AssertionError):
        tool.build(Config.fromfile(STUDENT_DEMO), 'cpu', True)

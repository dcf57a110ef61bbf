"""gradviz.nn.module: registration, naming, state dicts, saving without pickle, repr, name scopes."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from gradviz import Graph, Tensor, Value, nn, scope


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(3, 4)
        self.act = nn.Tanh()
        self.head = nn.MLP(4, [5, 2])
        self.temperature = nn.Parameter(np.array(1.5))
        self.constant = Tensor([1.0, 2.0])  # no grad: not a parameter

    def forward(self, x):
        return self.head(self.act(self.encoder(x))) * self.temperature


def test_named_parameters_are_dotted_recursive_and_in_registration_order():
    names = [name for name, _ in Block().named_parameters()]
    assert names == [
        "temperature",
        "encoder.weight",
        "encoder.bias",
        "head.0.weight",
        "head.0.bias",
        "head.2.weight",
        "head.2.bias",
    ]


def test_parameters_are_plain_leaf_tensors_labelled_with_their_names():
    model = Block()
    for _name, p in model.named_parameters():
        assert type(p) is Tensor and p.requires_grad and p.is_leaf
    assert model.encoder.weight.label == "encoder.weight"  # a Linear of its own: its dotted name
    assert model.head[0].weight.label == "W¹" and model.head[2].bias.label == "b²"  # an MLP's layers, for people
    assert model.temperature.label == "temperature"


def test_a_user_label_is_kept():
    layer = nn.Linear(2, 2)
    layer.weight.label = "W1"
    holder = nn.Sequential(layer)
    assert holder[0].weight.label == "W1" and holder[0].bias.label == "b¹"
    nn.Sequential(nn.Linear(2, 2), holder[0])  # now the second layer: gradviz's label moves, the user's stays
    assert holder[0].weight.label == "W1" and holder[0].bias.label == "b²"


def test_layer_label_writes_the_layer_as_a_superscript_and_the_element_in_brackets():
    assert nn.layer_label("W", 1) == "W¹" and nn.layer_label("b", 10) == "b¹⁰"
    assert nn.layer_label("W", 2, 1, 0) == "W²[1,0]" and nn.layer_label("b", None, 3) == "b[3]"


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(model.parameters()) == 2
    assert model.num_parameters() == 6


def test_children_and_named_modules():
    model = Block()
    assert [name for name, _ in model.named_children()] == ["encoder", "act", "head"]
    assert [type(m).__name__ for m in model.children()] == ["Linear", "Tanh", "MLP"]
    assert [name for name, _ in model.named_modules()] == ["", "encoder", "act", "head", "head.0", "head.1", "head.2"]


def test_reassigning_and_deleting_attributes_updates_the_registry():
    model = Block()
    model.act = nn.ReLU()
    del model.temperature
    model.encoder = None
    assert [name for name, _ in model.named_children()] == ["act", "head"]
    assert "temperature" not in dict(model.named_parameters())
    with pytest.raises(TypeError, match="registered module"):
        model.head = 3


def test_assigning_before_super_init_explains_the_fix():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_train_and_eval_switch_every_descendant():
    model = Block()
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_clears_every_parameter():
    model = Block()
    model(Tensor(np.ones((2, 3)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(np.all(p.grad == 0) for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_repr_is_torch_like_with_parameter_counts():
    text = repr(Block())
    assert text.splitlines()[0] == "Block("
    assert "  (encoder): Linear(in_features=3, out_features=4, bias=True)  (16 parameters)" in text
    assert "  (act): Tanh()\n" in text
    assert "    (0): Linear(in_features=4, out_features=5, bias=True)  (25 parameters)" in text
    assert "  (head): MLP(" in text and "  )  (37 parameters)" in text
    assert text.endswith(")  (54 parameters)")
    assert Block().num_parameters() == 54


def test_state_dict_holds_copies_of_every_parameter():
    model = Block()
    state = model.state_dict()
    assert list(state) == [name for name, _ in model.named_parameters()]
    assert state["encoder.weight"].shape == (4, 3) and state["temperature"].shape == ()
    state["encoder.weight"][...] = 0
    assert np.any(model.encoder.weight.data != 0)


def test_load_state_dict_copies_in_place_and_keeps_dtype():
    source, target = nn.Linear(3, 2, seed=0), nn.Linear(3, 2, seed=1, dtype="float32")
    array = target.weight.data
    target.load_state_dict(source.state_dict())
    assert target.weight.data is array and array.dtype == np.float32
    np.testing.assert_allclose(array, source.weight.data.astype(np.float32))


def test_load_state_dict_names_missing_and_unexpected_keys():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    state = model.state_dict()
    del state["1.bias"]
    state["2.weight"] = np.zeros((1, 2))
    with pytest.raises(KeyError, match=r"missing keys: 1.bias; unexpected keys: 2.weight") as info:
        model.load_state_dict(state)
    assert "strict=False" in str(info.value)


def test_load_state_dict_strict_false_loads_the_matching_keys_only():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    bias_before = model[1].bias.data.copy()
    model.load_state_dict({"0.weight": np.ones((2, 2)), "extra": np.zeros(3)}, strict=False)
    assert (model[0].weight.data == 1).all()
    assert (model[1].bias.data == bias_before).all()


def test_load_state_dict_names_the_shape_mismatch():
    model = nn.Linear(3, 2)
    state = model.state_dict()
    state["weight"] = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"weight: checkpoint \(3, 2\), model \(2, 3\)"):
        model.load_state_dict(state)


def test_save_load_round_trip_is_bit_exact_and_needs_no_pickle(tmp_path):
    nn.manual_seed(3)
    model = Block()
    path = model.save(tmp_path / "block")
    assert path.endswith("block.npz")
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(model.state_dict())
    with zipfile.ZipFile(path) as archive:  # plain .npy members: arrays, no pickled objects
        assert all(name.endswith(".npy") for name in archive.namelist())
    nn.manual_seed(4)
    other = Block()
    assert not np.array_equal(other.encoder.weight.data, model.encoder.weight.data)
    assert other.load(path) is other
    for (name, p), q in zip(model.named_parameters(), other.parameters(), strict=False):
        assert p.data.tobytes() == q.data.tobytes(), name
    x = Tensor(np.linspace(-1, 1, 6).reshape(2, 3))
    assert model(x).data.tobytes() == other(x).data.tobytes()


def test_load_accepts_the_path_without_extension(tmp_path):
    model = nn.Linear(2, 2, seed=0)
    model.save(tmp_path / "m.npz")
    assert nn.Linear(2, 2, seed=1).load(tmp_path / "m").weight.data.tobytes() == model.weight.data.tobytes()


def test_scalar_network_state_round_trips(tmp_path):
    net = nn.ScalarMLP(2, [3, 1], seed=0)
    path = net.save(tmp_path / "scalar")
    other = nn.ScalarMLP(2, [3, 1], seed=5).load(path)
    assert [p.data for p in other.parameters()] == [p.data for p in net.parameters()]
    assert all(type(p.data) is float for p in other.parameters())


def test_forward_runs_inside_the_module_scope():
    model = Block()
    out = model(Tensor(np.ones((1, 3))))
    scopes = Graph.of(out).scopes()
    assert {"block", "block/encoder", "block/act", "block/head/0", "block/head/1", "block/head/2"} <= set(scopes)
    assert out.scope == "block"


def test_nodes_of_a_linear_inside_an_mlp_carry_the_mlp_path():
    mlp = nn.MLP(2, [3, 1])
    out = mlp(Tensor([[1.0, 2.0]]))
    graph = Graph.of(out)
    matmuls = [n for n in graph.ops if n.op == "matmul"]
    assert [n.scope for n in matmuls] == ["mlp/0", "mlp/2"]
    assert graph[mlp[0].weight].scope == "mlp/0"  # parameters are drawn inside their layer's box
    assert [n.scope for n in graph.ops if n.op == "relu"] == ["mlp/1"]


def test_module_scopes_nest_inside_a_user_scope_and_can_be_renamed():
    mlp = nn.MLP(2, [1])
    mlp.name = "net"
    with scope("epoch1"):
        out = mlp(Tensor([[1.0, 2.0]]))
    assert out.scope == "epoch1/net/0"
    with pytest.raises(ValueError, match="without '/'"):
        mlp.name = "a/b"


def test_scalar_parameters_register_too():
    class Line(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = Value(2.0)
            self.b = Value(0.5)

        def forward(self, x):
            return self.w * x + self.b

    line = Line()
    out = line(3.0)
    out.backward()
    assert [n for n, _ in line.named_parameters()] == ["w", "b"]
    assert (out.data, line.w.grad, out.scope) == (6.5, 3.0, "line")


def test_module_without_forward_says_so():
    with pytest.raises(NotImplementedError, match="must define forward"):
        nn.Module()(1.0)


def test_register_parameter_and_add_module_check_their_arguments():
    m = nn.Module()
    m.register_parameter("w", nn.Parameter([1.0]))
    m.add_module("layer", nn.ReLU())
    assert [n for n, _ in m.named_parameters()] == ["w"] and [n for n, _ in m.named_children()] == ["layer"]
    with pytest.raises(TypeError, match="requires_grad=True"):
        m.register_parameter("c", Tensor([1.0]))
    with pytest.raises(TypeError, match="expected a Module"):
        m.add_module("x", 3)


def test_forward_hooks_see_every_layer_output_and_can_be_removed():
    model = nn.MLP(2, [3, 1], seed=0)
    seen = []
    handles = [
        m.register_forward_hook(lambda module, inputs, output: seen.append((module.name, output.shape))) for m in model
    ]
    model(Tensor(np.ones((4, 2))))
    assert seen == [("0", (4, 3)), ("1", (4, 3)), ("2", (4, 1))]
    for handle in handles:
        handle.remove()
    model(Tensor(np.ones((4, 2))))
    assert len(seen) == 3


def test_a_forward_hook_may_replace_the_output():
    layer = nn.Identity()
    layer.register_forward_hook(lambda module, inputs, output: output * 2)
    assert layer(Tensor([1.0])).data.tolist() == [2.0]


def test_to_converts_parameters_to_another_float_dtype():
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    assert model.to("float32") is model
    assert all(p.dtype == np.float32 for p in model.parameters())
    np.testing.assert_allclose(model[0].weight.data, before["0.weight"].astype(np.float32))
    assert model(Tensor(np.ones((1, 2), dtype=np.float32))).dtype == np.float32
    with pytest.raises(TypeError, match="floating point"):
        model.to("int64")


def test_deepcopy_gives_an_independent_model():
    import copy

    model = nn.MLP(2, [3, 1], seed=0)
    clone = copy.deepcopy(model)
    clone[0].weight.data[...] = 0
    assert np.any(model[0].weight.data != 0)
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in model.named_parameters()]


@pytest.mark.parametrize(
    "content, problem",
    [(b"", "empty"), (b"weight,bias\n1,2\n", "not"), (None, "complex")],
)
def test_load_refuses_a_file_that_is_not_a_real_parameter_archive_naming_it(tmp_path, content, problem):
    path = tmp_path / "model.npz"
    if content is None:
        np.savez(path, weight=np.ones((1, 2)) * (1 + 2j), bias=np.zeros(1))
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match="model.npz") as caught:
        nn.Linear(2, 1).load(path)
    assert problem in str(caught.value).lower()

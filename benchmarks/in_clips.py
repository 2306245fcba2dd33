"""The diagnosis rules translated to CLIPS (through clipspy), for benchmarks/bench.py to measure the
experta engine against: the same rules, the same chaining, one Python round trip per case.

Translation: one `community` template with a slot per question the rules read (a multislot, plus a
`<id>__set` flag, for multiple choice); one defrule per alternative of a rule's disjunctive normal
form, with its salience; `found(x)` and `not found(x)` become (not) `concluded` patterns, the rest one
TEST. Kleene logic as the engine has it: an atom holds only when every value it needs is known, so
each expression carries the guards (answered, no division by zero, a choice that has a number) under
which it has a value. A rule using what this translation does not cover is reported, not guessed.
"""

from __future__ import annotations

from typing import Any

from expert import conditions as c

PRELUDE = """
(deftemplate concluded (slot id))
(deffunction shq-floor (?x) (bind ?i (integer ?x)) (if (> ?i ?x) then (- ?i 1) else ?i))
(deffunction shq-ceil (?x) (bind ?i (integer ?x)) (if (< ?i ?x) then (+ ?i 1) else ?i))
"""
NUMERIC = {"integer", "number", "scale"}


class Unsupported(Exception):
    pass


def _var(qid: str) -> str:
    return f"?v_{qid}"


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise Unsupported(f"constant {value!r}")


def _and(guards: list[str]) -> str:
    guards = list(dict.fromkeys(guards))
    if not guards:
        return "TRUE"
    return guards[0] if len(guards) == 1 else f"(and {' '.join(guards)})"


class Translator:
    def __init__(self, kb):
        self.kb = kb
        self.questions = kb.questionnaire.questions
        self.unsupported: dict[str, str] = {}

    def qtype(self, qid: str) -> str:
        return self.questions[qid].type

    # ------------------------------------------------------------------ expressions: (text, guards, numeric)

    def expr(self, node: c.Node) -> tuple[str, list[str], bool]:
        if isinstance(node, c.Const):
            value = node.value
            return _literal(value), [], isinstance(value, (int, float)) and not isinstance(value, bool)
        if isinstance(node, c.Answer):
            if self.qtype(node.qid) == "multiple":
                return _var(node.qid), [f"(eq {_var(node.qid + '__set')} TRUE)"], False
            return _var(node.qid), [f"(neq {_var(node.qid)} nil)"], self.qtype(node.qid) in NUMERIC
        if isinstance(node, c.Arith):
            parts = [self.expr(a) for a in node.args]
            guards = [g for _, gs, _ in parts for g in gs]
            if node.op == "neg":
                return f"(- 0 {parts[0][0]})", guards, True
            (left, _, _), (right, _, _) = parts
            if node.op == "/":
                guards.append(f"(<> {right} 0)")
            return f"({node.op} {left} {right})", guards, True
        if isinstance(node, c.Call):
            return self.call(node)
        if isinstance(node, c.ChoiceNumber):
            arg, guards, _ = self.expr(node.arg)
            table = [(v, n) for v, n in node.table if n is not None]
            if not table:
                raise Unsupported("a choice number with no numbers")
            cases = " ".join(f"(case {_literal(v)} then {_literal(n)})" for v, n in table)
            choices = " ".join(_literal(v) for v, _ in table)
            return f"(switch {arg} {cases})", [*guards, f"(member$ {arg} (create$ {choices}))"], True
        raise Unsupported(type(node).__name__)

    def call(self, node: c.Call) -> tuple[str, list[str], bool]:
        if node.func == "answered":
            if not isinstance(node.args[0], c.Answer):
                return "FALSE", [], False
            _, guards, _ = self.expr(node.args[0])
            return _and(guards), [], False
        if node.func == "default":
            first, fg, fnum = self.expr(node.args[0])
            second, sg, snum = self.expr(node.args[1])
            if not fg:
                return first, [], fnum
            known = f"(or {_and(fg)} {_and(sg)})" if sg else None
            return f"(if {_and(fg)} then {first} else {second})", [known] if known else [], fnum and snum
        parts = [self.expr(a) for a in node.args]
        guards = [g for _, gs, _ in parts for g in gs]
        args = " ".join(p[0] for p in parts)
        if node.func == "count":
            return f"(length$ {args})", guards, True
        names = {"floor": "shq-floor", "ceil": "shq-ceil", "abs": "abs", "min": "min", "max": "max",
                 "round": "round"}
        if node.func not in names:
            raise Unsupported(node.func)
        return f"({names[node.func]} {args})", guards, True

    # ------------------------------------------------------------------ atoms: a CLIPS test that is TRUE when the atom holds

    def holds(self, atom: c.Node) -> str:
        if isinstance(atom, c.Compare):
            left, lg, lnum = self.expr(atom.left)
            if atom.op in ("in", "not in"):
                if isinstance(atom.right, c.Const) and isinstance(atom.right.value, (tuple, list, frozenset)):
                    right, rg = f"(create$ {' '.join(_literal(v) for v in atom.right.value)})", []
                else:
                    right, rg, _ = self.expr(atom.right)
                    if not (isinstance(atom.right, c.Answer) and self.qtype(atom.right.qid) == "multiple"):
                        raise Unsupported("`in` over something other than a list")
                test = f"(member$ {left} {right})"
                if atom.op == "not in":
                    test = f"(not {test})"
                return _and([*lg, *rg, test])
            right, rg, rnum = self.expr(atom.right)
            op = atom.op
            if op in ("==", "!="):
                op = ("=" if op == "==" else "<>") if lnum and rnum else ("eq" if op == "==" else "neq")
            return _and([*lg, *rg, f"({op} {left} {right})"])
        if isinstance(atom, c.Truthy):
            return self.truthy(atom.arg, True)
        if isinstance(atom, c.Not) and isinstance(atom.item, c.Truthy):
            return self.truthy(atom.item.arg, False)
        if isinstance(atom, c.Call) and atom.func == "answered":
            value, _, _ = self.call(atom)
            return value
        if isinstance(atom, c.Not) and isinstance(atom.item, c.Call) and atom.item.func == "answered":
            value, _, _ = self.call(atom.item)
            return f"(not {value})"
        raise Unsupported(type(atom).__name__)

    def truthy(self, node: c.Node, wanted: bool) -> str:
        value, guards, numeric = self.expr(node)
        if isinstance(node, c.Answer) and self.qtype(node.qid) == "multiple":
            test = f"(> (length$ {value}) 0)"
        elif numeric:
            test = f"(<> {value} 0)"
        elif isinstance(node, c.Answer) and self.qtype(node.qid) == "yesno":
            test = f"(eq {value} TRUE)"
        elif isinstance(node, c.Call) and node.func == "answered":
            test = f"(eq {value} TRUE)"
        else:
            test = f"(neq {value} \"\")"
        return _and([*guards, test if wanted else f"(not {test})"])

    # ------------------------------------------------------------------ rules

    def rules(self) -> tuple[str, list[str]]:
        used: dict[str, None] = {}
        constructs = []
        for rule in self.kb.rules.rules:
            if rule.when_node is None:
                continue
            try:
                for n, atoms in enumerate(c.disjunctive_normal_form(rule.when_node)):
                    text = self.alternative(rule, n, atoms, used)
                    if text:
                        constructs.append(text)
            except Unsupported as exc:
                self.unsupported[rule.id] = str(exc)
        slots = []
        for qid in used:
            if self.qtype(qid) == "multiple":
                slots += [f"(multislot {qid})", f"(slot {qid}__set)"]
            else:
                slots.append(f"(slot {qid})")
        return f"(deftemplate community {' '.join(slots)})", constructs, list(used)

    def alternative(self, rule, n: int, atoms: list, used: dict) -> str | None:
        patterns, tests, reads = [], [], {}
        for atom in atoms:
            if isinstance(atom, c.Const):
                if atom.value is True:
                    continue
                return None
            if isinstance(atom, c.Found):
                patterns.append(f'(concluded (id {_literal(atom.finding)}))')
                continue
            if isinstance(atom, c.Not) and isinstance(atom.item, c.Found):
                patterns.append(f'(not (concluded (id {_literal(atom.item.finding)})))')
                continue
            for qid in c.answers_used(atom):
                reads[qid] = None
            tests.append(self.holds(atom))
        slots = []
        for qid in reads:
            used[qid] = None
            if self.qtype(qid) == "multiple":
                slots += [f"({qid} ${_var(qid)})", f"({qid}__set {_var(qid + '__set')})"]
            else:
                slots.append(f"({qid} {_var(qid)})")
        test = f"(test {_and(tests)})" if tests else ""
        return (f"(defrule {rule.id}__{n} (declare (salience {rule.salience})) (community {' '.join(slots)}) "
                f"{' '.join(patterns)} {test} => (assert (concluded (id {_literal(rule.finding)}))))")


class ClipsDiagnoser:
    """The rule base in a CLIPS environment: `concluded(answers)` is the set of finding ids."""

    def __init__(self, kb):
        import clips

        translator = Translator(kb)
        template, rules, used = translator.rules()
        self.unsupported = translator.unsupported
        self.env = clips.Environment()
        for construct in [*PRELUDE.strip().splitlines(), template, *rules]:
            self.env.build(construct)
        self.community = self.env.find_template("community")
        self.concluded_template = self.env.find_template("concluded")
        self.multiple = {q for q in used if translator.qtype(q) == "multiple"}
        self.used = [q for q in used if q not in self.multiple]

    def concluded(self, values: dict[str, Any]) -> set[str]:
        env = self.env
        env.reset()
        slots = {q: _plain(values.get(q)) for q in self.used}
        for q in self.multiple:
            value = values.get(q)
            slots[q] = tuple(_plain(v) for v in value or ())
            slots[f"{q}__set"] = value is not None
        self.community.assert_fact(**slots)
        env.run()
        return {fact["id"] for fact in self.concluded_template.facts()}

    def close(self) -> None:
        """Empty the environment, so CLIPS has nothing left to complain about at exit."""
        self.env.clear()


def _plain(value: Any) -> Any:
    """clipspy converts exact types: a str subclass (a validated choice) would reach CLIPS as a pointer."""
    if isinstance(value, str) and type(value) is not str:
        return str(value)
    return value

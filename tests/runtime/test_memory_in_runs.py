"""Agents read what earlier runs wrote: memory.write through the gate, the memory context in the
next run's prompt, and an episode memory for every finished run."""

from __future__ import annotations

from runtime.brain import Brain
from runtime.llm import use_model
from runtime.testing.model import ScriptedModel, message_step, tool_step
from tests.runtime.helpers import ACTOR

FACT = "Our refund policy is 30 days, unused items only"


async def test_a_later_run_reads_what_an_earlier_run_wrote(brain: Brain) -> None:
    write = ScriptedModel([tool_step(("memory.write", {"text": FACT, "kind": "policy", "subject": "refunds"})),
                           message_step("Saved to the shared memory.")])
    with use_model(write):
        first = await brain.submit("Remember: our refund policy is 30 days, unused items only", ACTOR,
                                   agent_hint="knowledge_base_curator")
    assert first.status == "done"  # memory.write is allowed without asking by the global rule
    assert first.results[0]["status"] == "ok"

    reply = ScriptedModel([message_step("Sure: within 30 days, unused.")])
    with use_model(reply):
        second = await brain.submit("A customer asks how long they have to return an unused mug", ACTOR,
                                    agent_hint="customer_reply_writer")
    assert second.status == "done"
    system_prompt = reply.calls[0].messages[0]["content"]
    assert FACT in system_prompt and "[m:" in system_prompt  # cited, bounded context

    await brain.episodes.drain()  # episodes are written after the answer, off the run's path
    episodes = await brain.memory.search("demo", "refund policy remember", kind="episode", user=ACTOR.user)
    assert any("knowledge_base_curator" in hit["text"] for hit in episodes)

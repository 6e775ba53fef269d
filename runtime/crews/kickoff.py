"""The CrewAI side of a crew run: registry agents as CrewAI agents, their tools, their model, the kickoff.

Imported only after `setup.prepare` (CrewAI is an optional extra). Each CrewAI agent is a registry
agent: role = its name, goal = its purpose, backstory = its prompt, tools = its tools, each a
`GatedTool` whose only action is `CrewSession.use` (the Brain's gate, ledger and executor). The
model of every agent (and of the manager of a hierarchical crew) is a `SessionLLM`: the Brain's
model through litellm when one is configured, else the offline planner, both via `CrewSession.think`.

CrewAI may copy agents, tools and models; they carry only the session's id, and the live session
is found in `_SESSIONS` for the length of the kickoff.
"""

from __future__ import annotations

import uuid
from typing import Any

from crewai import Agent, Crew, CrewOutput, Process, Task
from crewai.llms.base_llm import BaseLLM
from crewai.tools import BaseTool
from pydantic import BaseModel

from runtime.crews.session import CrewSession, tool_name
from tools.spec import ToolSpec

_SESSIONS: dict[str, CrewSession] = {}
_ROLES: dict[str, dict[str, str]] = {}  # session id -> CrewAI role -> registry agent id
_TASKS: dict[str, dict[str, str]] = {}  # session id -> CrewAI task id -> the member's part of the goal
CONTEXT_WINDOW = 1_000_000  # large: CrewAI never summarises a crew agent's history behind its back
EXPECTED = "What you did, in one or two sentences, with the names of the things you changed."


class SessionLLM(BaseLLM):
    """A crew agent's model: one `CrewSession.think` per call (plain ReAct text, no native tool calls)."""

    session_id: str

    def call(self, messages: Any, tools: Any = None, callbacks: Any = None, available_functions: Any = None,
             from_task: Any = None, from_agent: Any = None, response_model: Any = None) -> str:
        session = _SESSIONS[self.session_id]
        listed = [{"role": "user", "content": messages}] if isinstance(messages, str) else list(messages)
        task_key = str(from_task.id) if from_task is not None else "untasked"
        agent = _ROLES[self.session_id].get(from_agent.role) if from_agent is not None else None
        request = _TASKS[self.session_id].get(task_key) or (from_task.description if from_task is not None else "")
        return session.think(task_key, agent, request, listed)

    def supports_function_calling(self) -> bool:
        return False

    def get_context_window_size(self) -> int:
        return CONTEXT_WINDOW

    def get_input_tokens_count(self, messages: Any, tools: Any = None, response_model: Any = None) -> int:
        text = messages if isinstance(messages, str) else "".join(str(m.get("content") or "") for m in messages)
        return len(text) // 4 + 1


class GatedTool(BaseTool):
    """A registry tool as a crew agent sees it; calling it is asking the Brain's gate."""

    session_id: str
    agent_id: str
    tool_id: str

    def _run(self, **kwargs: Any) -> str:
        session = _SESSIONS[self.session_id]
        spec = session.parts.tools.get(self.tool_id)
        # CrewAI validated the arguments against the schema and handed back Python values: make them plain again
        args = spec.args_model.model_validate(kwargs).model_dump(mode="json", exclude_none=True)
        return session.use(self.agent_id, self.tool_id, args)


def _tool(session_id: str, agent_id: str, spec: ToolSpec) -> GatedTool:
    schema: type[BaseModel] = spec.args_model
    return GatedTool(name=tool_name(spec.id), description=f"{spec.description} (risk: {spec.risk.value})",
                     args_schema=schema, session_id=session_id, agent_id=agent_id, tool_id=spec.id)


def run_crew(session: CrewSession, max_iter: int) -> str:
    """Build the crew of the session's plan and run it to its end (in CrewAI's thread); its final output.

    Raises CrewPaused when a call waits for a person and CrewStopped when the crew ran out of turns."""
    session_id = uuid.uuid4().hex
    _SESSIONS[session_id] = session
    registry = session.parts.agents
    try:
        llm = SessionLLM(model="brain-crew", session_id=session_id)
        agents: dict[str, Agent] = {}
        for agent_id in session.plan.agents:
            spec = registry.get(agent_id)
            tools = [_tool(session_id, spec.id, session.parts.tools.get(t)) for t in spec.tools]
            agents[spec.id] = Agent(role=spec.name, goal=spec.purpose, backstory=registry.prompt(spec.id)[:2000],
                                    llm=llm, tools=tools, allow_delegation=False, max_iter=max_iter, cache=False,
                                    verbose=False)
        _ROLES[session_id] = {agents[a].role: a for a in agents}
        if session.plan.process == "hierarchical":
            listing = "\n".join(f"- {registry.get(m.agent).name}: {m.task}" for m in session.plan.members)
            tasks = [Task(description=f"{session.plan.goal}\nThe parts and who does each:\n{listing}",
                          expected_output=EXPECTED)]
            _TASKS[session_id] = {str(tasks[0].id): session.plan.goal}
            crew = Crew(agents=list(agents.values()), tasks=tasks, process=Process.hierarchical, manager_llm=llm,
                        verbose=False, tracing=False, memory=False, cache=False)
        else:
            tasks = [Task(description=m.task, expected_output=EXPECTED, agent=agents[m.agent])
                     for m in session.plan.members]
            _TASKS[session_id] = {str(t.id): m.task for t, m in zip(tasks, session.plan.members, strict=True)}
            crew = Crew(agents=list(agents.values()), tasks=tasks, process=Process.sequential, verbose=False,
                        tracing=False, memory=False, cache=False)
        output = crew.kickoff()
        return str(output.raw) if isinstance(output, CrewOutput) else str(output)
    finally:
        _SESSIONS.pop(session_id, None)
        _ROLES.pop(session_id, None)
        _TASKS.pop(session_id, None)

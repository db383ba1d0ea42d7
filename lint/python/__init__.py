"""The Python analysis every rule shares: prefilter, index, prompt sinks and value flow, within
a module and across the project's modules.

The data path, for one checked file:

1. `prefilter` scans the bytes: a file that cannot hold a sink is never parsed. A file that
   may hold one but no source is parsed when a project file it imports (or one those import)
   may hold a source, or (for any file that sends prompts) may rewrite a history
   (`python_checker.PythonChecker.wanted`, `imports.imported_files`). What it looks for comes from
   the rules' `triggers`, a module free of the analysis that rule modules import at their
   top (see ctxlint.registry).
2. `module.PythonModule` wraps the parsed tree; `index` records scopes, bindings, functions,
   classes, calls, container writes and mutations in one traversal (the records in
   `index_types`, the expressions in `index_expressions`); `sinks` finds where a
   value becomes part of an LLM request (the records in `sink_types`; `sink_finder` reads
   each call and dict display, with the provider APIs and names in `sink_names` and the
   client a method is called on in `client_receivers`; `sent_lists` the histories handed to
   a model layer), also as the argument of a provider wrapper of
   another module (`imported_wrappers`: that module's own wrapper summaries, one step, read
   from its plain-data summary, `ctxlint.summary_cache`, which the results cache keeps by
   content digest so that an unchanged import is not parsed to answer), of an agent
   framework's class or a subclass's `super().__init__` (`framework_sinks`), of a
   constructor that keeps what its prompt is built from (`Agent(env=x)`, summarised as a
   wrapper of `__init__`), and the variables of a LangChain system prompt template given
   when it is invoked (`template_sinks`). `framework_flags` finds a framework's switches
   that make it rewrite its own system message (agno's `add_datetime_to_context=True`).
3. `flow.reach` walks backward from each sink through assignments, string building,
   containers, returns and `self` attributes (the records in `flow_types`, the steps into and
   out of calls in `flow_calls`). Where the module has no function for a call it
   asks the `project.Project` (the module's `project`): `imports.resolve` maps the import to
   a file under the roots (the folders named on the command line, a `src/` below them, each
   file's package root), the project parses it once per process (a bounded cache, even when
   the prefilter skipped it or the command line did not name it) and returns the function;
   the walk continues in that module's scopes with its index (`Project.module_of(scope)`).
   Methods of instances whose class is known (`b = PromptBuilder(); b.build()`) and methods
   named uniquely among the module and its imports are followed too; a builder's
   `b.add_section(x)` supplies the parameter its method stores on `self`. The class of a
   receiver is known from a constructor call, a parameter annotation (`memory: Memory`) or
   the `self.<attribute>` assignments of the enclosing class.
4. `PythonModule.reached_across(sink)` gives every value reached, with the calls it went
   through (`Reached.through`); `reached(sink)` only those of the module's own code, for the
   rules that report in the checked file. `containers` describes a sent list and
   `container_changes` its changes;
   where it is handed to a function of another module, `summaries.summary_at` resolves that
   function through the project (`ModuleIndex.links`) and applies its module's summaries
   (the records in `summary_types`);
   `round_trip` finds a history read from a store, prepended to and stored back.
5. A rule reports a value of another module in that module (`module_of(scope).diagnostic`),
   with the sink as a `RelatedLocation` and no fix; the engine moves each finding to its
   file's result, dedupes, and applies that file's `# noqa` and per-file-ignores.
   `PythonModule.dependencies()` names the other files a module's findings depend on.
"""

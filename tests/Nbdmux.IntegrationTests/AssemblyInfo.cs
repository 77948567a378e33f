// Each test drives real processes and measures real time; running them one at a time keeps a
// 2-core CI machine from turning scheduling delays into failures.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

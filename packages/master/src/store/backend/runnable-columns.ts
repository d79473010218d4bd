/** RunnableJob's columns, from jobs `j` joined by RUNNABLE_JOINS. */
export const RUNNABLE_COLUMNS =
  'j.id, j.type, j.account_id, j.pool, j.timeout_ms, j.priority, j.run_after, j.seq, a.platform AS account_platform, a.owner_worker_id, a.epoch AS account_epoch, w.status AS owner_status, w.max_concurrency AS owner_max_concurrency';

/** What RUNNABLE_COLUMNS read beside jobs `j`: its account `a`, and the account's owner `w`. */
export const RUNNABLE_JOINS = 'LEFT JOIN accounts a ON a.id = j.account_id LEFT JOIN workers w ON w.id = a.owner_worker_id';

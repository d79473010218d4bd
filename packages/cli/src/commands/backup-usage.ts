/** Kept apart from the command so `fleet help` does not load SQLite. */
export const BACKUP_USAGE = 'fleet backup FILE [--data-dir DIR]   (on the master host; default FLEET_DATA_DIR or ./data)';

// The task functions log through Powertools for Lambda; tests read results, not logs.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

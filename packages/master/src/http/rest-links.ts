import type { JobLinks } from '../store/backend/job-links.js';

/** Links to the REST routes that job views point at (mounted under /api/v1 in app.ts). */
export const restJobLinks: JobLinks = {
  artifactUrl: (jobId, name) => `/api/v1/jobs/${jobId}/artifacts/${encodeURIComponent(name)}`,
};

/**
 * Where the API serves what a view links to. The HTTP layer owns the routes, so it builds the
 * links; the store is given them (see `restJobLinks` in http/).
 */
export interface JobLinks {
  artifactUrl(jobId: string, name: string): string;
}

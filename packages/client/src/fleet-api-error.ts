import { FleetError } from '@fleetwright/shared/constants';

/** An API refusal, rebuilt as the fleet's own error class, with the HTTP status it came with. */
export class FleetApiError extends FleetError {
  constructor(
    readonly httpStatus: number,
    body: unknown,
  ) {
    const rebuilt = FleetError.fromJSON(body);
    super(rebuilt.code, rebuilt.message, rebuilt.field === undefined ? {} : { field: rebuilt.field });
    this.name = 'FleetApiError';
  }
}

// The memory route store against the shared RouteStore contract.
import { MemoryRouteStore } from '../../../proxy/memory-route-store';
import { runRouteStoreContract } from '../../contracts/route-store.contract';

runRouteStoreContract('memory', () => new MemoryRouteStore());

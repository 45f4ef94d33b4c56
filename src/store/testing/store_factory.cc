#include "store/testing/store_factory.h"

namespace opsflow::store::testing {
namespace {

std::vector<const StoreFactory*>& Registry() {
  static std::vector<const StoreFactory*> factories;
  return factories;
}

}  // namespace

const std::vector<const StoreFactory*>& RegisteredStoreFactories() { return Registry(); }

RegisterStoreFactory::RegisterStoreFactory(const StoreFactory* f) { Registry().push_back(f); }

}  // namespace opsflow::store::testing

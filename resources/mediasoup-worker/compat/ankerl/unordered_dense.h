// Compat shim: ankerl::unordered_dense API subset used by mediasoup-worker,
// implemented with std::unordered_map/set (same semantics, different perf).
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>
namespace ankerl { namespace unordered_dense {
template <class T, class Enable = void> struct hash : std::hash<T> { using is_avalanching = void; };
template <class Key, class T, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>,
          class Alloc = std::allocator<std::pair<const Key, T>>, class Bucket = void>
using map = std::unordered_map<Key, T, Hash, KeyEqual, Alloc>;
template <class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>,
          class Alloc = std::allocator<Key>, class Bucket = void>
using set = std::unordered_set<Key, Hash, KeyEqual, Alloc>;
}} // namespace ankerl::unordered_dense

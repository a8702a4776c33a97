// include/athanor/io/io.h: the io layer: files (atomic writes), safetensors, TensorBoard events.
#pragma once

#include <athanor/io/crc32c.h>
#include <athanor/io/event_writer.h>
#include <athanor/io/file.h>
#include <athanor/io/safetensors.h>
#include <athanor/io/tfrecord.h>

/* dl4c: deep learning in C. Including this header gives the whole public
 * API; each module also has its own header.
 *
 *   #include <dl4c/dl4c.h>
 *   dl4c_net *net = NULL;
 *   if (dl4c_model_load("mnist.dl4c", &net, NULL) != DL4C_OK) {
 *       fprintf(stderr, "%s\n", dl4c_last_error());
 *       return 1;
 *   }
 */
#ifndef DL4C_H
#define DL4C_H

#include "dl4c/activation.h"
#include "dl4c/alloc.h"
#include "dl4c/analysis.h"
#include "dl4c/data.h"
#include "dl4c/dataset_store.h"
#include "dl4c/eval.h"
#include "dl4c/image.h"
#include "dl4c/init.h"
#include "dl4c/keras.h"
#include "dl4c/loss.h"
#include "dl4c/model.h"
#include "dl4c/model_store.h"
#include "dl4c/net.h"
#include "dl4c/npy.h"
#include "dl4c/ops.h"
#include "dl4c/rng.h"
#include "dl4c/safetensors.h"
#include "dl4c/serve.h"
#include "dl4c/status.h"
#include "dl4c/tensor.h"
#include "dl4c/train.h"
#include "dl4c/transform.h"
#include "dl4c/updater.h"

#endif

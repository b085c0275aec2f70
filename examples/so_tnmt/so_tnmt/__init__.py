"""An example department project: Sở Tài nguyên và Môi trường (H50.20) answers the land-parcel lookup."""

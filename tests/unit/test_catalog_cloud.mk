test_catalog_cloud_MODULES := providers/catalog providers/validate providers/catalog_doc providers/catalog_data
